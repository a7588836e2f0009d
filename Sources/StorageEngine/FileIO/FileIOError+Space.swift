#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel
import StorageAPI

extension FileIOError {
    /// Whether the call failed for lack of room: `ENOSPC` (the file system is full), `EDQUOT`
    /// (the user's quota is) or `EFBIG` (the file would pass the size limit). These clear up by
    /// themselves once space is freed, so they are reported as temporary, unlike other I/O errors.
    var isOutOfSpace: Bool {
        errnoValue == ENOSPC || errnoValue == EDQUOT || errnoValue == EFBIG
    }
}

extension StorageError {
    /// Seconds a client is asked to wait before retrying a write rejected for a full disk.
    static let diskFullRetryAfterSeconds = 5

    /// `unavailable`, "disk full: <call> <path>: <reason>; retry later", with a retry delay.
    static func diskFull(_ error: FileIOError) -> StorageError {
        StorageError(
            kind: .unavailable, message: "disk full: \(error); retry later",
            retryAfterSeconds: diskFullRetryAfterSeconds)
    }
}
