/// Where a block may write: past `writeLimit` a sequence is either corrupt (over the block or
/// the declared content size) or over the caller's limit.
struct ZstdWriteBounds {
    /// Output offset of the frame's first byte; matches may not reach before it.
    let frameStart: Int
    /// Output offset the block may not pass (its start plus the block maximum size).
    let blockEnd: Int
    /// Output offset the frame may not pass, when it declares its content size.
    let contentEnd: Int?
    /// The caller's limit on the whole output.
    let limit: Int

    var writeLimit: Int { min(blockEnd, contentEnd ?? Int.max, limit) }

    /// The error for writing up to output offset `end` past ``writeLimit``.
    func error(writingTo end: Int) -> ZstdError {
        if end > blockEnd { return .corrupt("block decompresses to more than the maximum block size") }
        if let contentEnd, end > contentEnd { return .corrupt("frame content exceeds its declared size") }
        return .tooLarge(limit: limit)
    }
}
