/// Basin's Axiom dialect: dataset ingest (JSON, NDJSON, CSV), the datasets API and APL queries,
/// per `specs/axiom.md`. `Intake/` decodes bodies into records, `Query/` parses APL and lowers
/// it to the records IR (`RecordQuery`), `HTTP/` holds the routes.
enum Axiom {}
