import ArgumentParser
import BasinHTTP
import BasinServer
import Foundation
import Logging

@main
struct BasinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basin",
        abstract: "A self-hosted telemetry backend that speaks Datadog, SignalFx, Dynatrace, Blueflood and Axiom.",
        discussion: """
            Point an existing vendor client at Basin by changing its base URL. Basin stores what it accepts durably and answers in the vendor's read API and in a Prometheus-compatible API at /prometheus (for Grafana).

            Every `serve` setting can also come from a BASIN_* environment variable (for example BASIN_LISTEN) or from a JSON config file (--config); flags win over the environment, which wins over the file.
            """,
        version: BasinVersion.string,
        subcommands: [Serve.self, Token.self],
        defaultSubcommand: nil
    )
}

enum BasinVersion {
    static let string = "0.1.0"
}

/// Options every command that touches the data directory shares.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory (env BASIN_DATA).", valueName: "dir"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("JSON config file (env BASIN_CONFIG).", valueName: "file"))
    var config: String?

    func resolve(extraFlags: [String: String] = [:]) throws -> ServerConfiguration {
        var flags = extraFlags
        if let data { flags["data"] = data }
        let environment = ProcessInfo.processInfo.environment
        return try ServerConfiguration.resolve(
            configFile: config ?? environment["BASIN_CONFIG"], environment: environment, flags: flags)
    }
}
