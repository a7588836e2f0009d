import Foundation
import Logging
import StorageEngine
import Synchronization

/// A fresh directory under /tmp, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() {
        path = "/tmp/basin-storage-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Copies the whole directory (a crash snapshot of files already written).
    func copy() throws -> TemporaryDirectory {
        let target = TemporaryDirectory()
        try FileManager.default.removeItem(atPath: target.path)
        try FileManager.default.copyItem(atPath: path, toPath: target.path)
        return target
    }

    var walPath: String { path + "/wal" }

    /// Segment file paths, sorted.
    func segments() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: walPath)
            .filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }
            .sorted()
            .map { walPath + "/" + $0 }
    }
}

/// File helpers for corrupting segments.
enum SegmentFile {
    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    static func truncate(_ path: String, to length: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(length))
        try handle.close()
    }

    static func flipByte(_ path: String, at offset: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[offset] ^= 0x5A
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// Records log messages so tests can assert on warnings and errors.
final class CapturedLogs: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let entries = Mutex<[Entry]>([])

    var all: [Entry] { entries.withLock { $0 } }

    func record(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    func contains(level: Logger.Level, _ fragment: String) -> Bool {
        all.contains { $0.level == level && $0.message.contains(fragment) }
    }

    var logger: Logger {
        Logger(label: "basin.storage.test") { _ in CapturingHandler(sink: self) }
    }
}

struct CapturingHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.record(.init(level: event.level, message: event.message.description))
    }
}
