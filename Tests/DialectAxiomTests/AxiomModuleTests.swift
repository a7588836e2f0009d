import Testing
@testable import DialectAxiom

@Test func theAxiomModuleLinks() {
    _ = Axiom.self
}
