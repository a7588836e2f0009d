import Logging

/// The `blocks/` folder: opening every block at start-up, cleaning up after a crash, quarantine.
///
/// ```
/// blocks/
///   0000000000000007.block   complete blocks, named by sequence number (hex)
///   0000000000000008.tmp     a block being written (deleted at start-up)
///   quarantine/              blocks that failed their checks (never read)
/// ```
enum BlockDirectory {
    struct Opened {
        /// The usable blocks, sorted by sequence number.
        var blocks: [Block]
        /// The highest sequence number seen (also of deleted or quarantined blocks).
        var maxSeq: UInt64
    }

    /// Opens every block; removes temporary files and blocks that a compacted block replaced;
    /// moves blocks that fail their checks to `quarantine/` with an error in the log.
    static func open(_ directory: String, logger: Logger) throws(FileIOError) -> Opened {
        try Directory.create(directory)
        var blocks: [Block] = []
        var maxSeq: UInt64 = 0
        var changed = false
        for name in try Directory.list(directory).sorted() {
            let path = directory + "/" + name
            if name.hasSuffix(BlockFormat.temporarySuffix) {
                try Directory.remove(path)
                changed = true
                logger.warning("removed an unfinished block left by a crash", metadata: ["file": "\(name)"])
                continue
            }
            guard let seq = BlockFormat.seq(ofFileName: name) else { continue }
            maxSeq = max(maxSeq, seq)
            do throws(BlockError) {
                let block = try Block(path: path)
                guard block.meta.seq == seq else {
                    throw BlockError(path: path, reason: "meta says sequence \(block.meta.seq), file name says \(seq)")
                }
                blocks.append(block)
            } catch {
                try quarantine(path, directory: directory, logger: logger, reason: error.reason)
                changed = true
            }
        }
        // A compacted block lists its sources; a crash between publishing it and deleting them
        // leaves both: the sources are redundant.
        let replaced = Set(blocks.flatMap(\.meta.sources))
        for block in blocks where replaced.contains(block.meta.seq) {
            try Directory.remove(block.path)
            changed = true
            logger.info("removed a block already merged into a compacted block", metadata: ["block": "\(block.meta.seq)"])
        }
        blocks.removeAll { replaced.contains($0.meta.seq) }
        blocks.sort { $0.meta.seq < $1.meta.seq }
        if changed { try Directory.sync(directory) }
        return Opened(blocks: blocks, maxSeq: maxSeq)
    }

    /// Moves a damaged block into `quarantine/` and logs why.
    static func quarantine(_ path: String, directory: String, logger: Logger, reason: String) throws(FileIOError) {
        let folder = directory + "/quarantine"
        try Directory.create(folder)
        let name = path.split(separator: "/").last.map(String.init) ?? "block"
        try Directory.rename(path, folder + "/" + name)
        try Directory.sync(directory)
        logger.error("block failed its checks and was quarantined; its samples are not served", metadata: [
            "block": "\(name)", "reason": "\(reason)", "moved-to": "\(folder)",
        ])
    }
}
