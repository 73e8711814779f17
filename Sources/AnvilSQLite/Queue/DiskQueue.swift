import AnvilStorage
import CZlib
import Foundation
import Logging

/// The embedded ingest queue: an append-only log of length-and-CRC-framed records (`u32 length`,
/// `u32 crc32(length ‖ payload)`, payload; little-endian) in segment
/// files under `<data-dir>/queue`, with group commit.
///
/// `append` returns after the record is written *and* `fdatasync`'d. Concurrent appends are
/// batched by one flusher thread into a single write and a single sync, so throughput grows with
/// concurrency instead of being bound by disk latency. A torn tail (crash mid-write) is detected
/// by length/CRC at start-up and truncated; only unacknowledged records are ever lost that way,
/// and those were never acknowledged to a client.
public final class DiskQueue: IngestQueue, @unchecked Sendable {
    static let headerSize = 8
    public static let maxRecordSize = 64 * 1024 * 1024

    private let directory: String
    private let segmentLimit: UInt64
    private let logger: Logger
    private let io = DispatchQueue(label: "anvil.queue.read")

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [(record: [UInt8], done: CheckedContinuation<Void, any Error>)] = []
    private var writeSegment: UInt64
    private var writeOffset: UInt64
    private var writeFD: Int32
    /// Durable end of the log: readers never go past it.
    private var durableEnd: QueuePosition
    private var readPosition: QueuePosition
    private var ackPosition: QueuePosition
    private var segmentSizes: [UInt64: UInt64]
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var stopped = false
    private var failure: (any Error)?
    private var thread: Thread?
    private let flusherDone = DispatchSemaphore(value: 0)

    public init(directory: String, segmentLimit: UInt64 = 64 * 1024 * 1024, logger: Logger) throws {
        self.directory = directory
        self.segmentLimit = segmentLimit
        self.logger = logger
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        var segments = try Self.listSegments(directory)
        if segments.isEmpty { segments = [1] }
        var ack = Self.readCheckpoint(directory) ?? QueuePosition(segment: segments[0], offset: 0)

        // Validate the last segment fully and cut a torn tail.
        var sizes: [UInt64: UInt64] = [:]
        for s in segments.dropLast() {
            sizes[s] = UInt64((try? FileManager.default.attributesOfItem(atPath: Self.path(directory, s))[.size] as? NSNumber)?.int64Value ?? 0)
        }
        let last = segments.last!
        let lastPath = Self.path(directory, last)
        let fd = open(lastPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError("cannot open queue segment \(lastPath): \(String(cString: strerror(errno)))") }
        let validEnd = try Self.validPrefix(fd: fd)
        let fileSize = UInt64(lseek(fd, 0, SEEK_END))
        if validEnd < fileSize {
            logger.warning("truncating torn queue tail", metadata: [
                "queue.segment": "\(last)", "queue.valid_bytes": "\(validEnd)", "queue.file_bytes": "\(fileSize)",
            ])
            guard ftruncate(fd, off_t(validEnd)) == 0, fsync(fd) == 0 else {
                throw QueueError("cannot truncate torn queue tail: \(String(cString: strerror(errno)))")
            }
        }
        lseek(fd, off_t(validEnd), SEEK_SET)
        sizes[last] = validEnd
        writeFD = fd
        writeSegment = last
        writeOffset = validEnd
        segmentSizes = sizes
        // The checkpoint only ever names the end of a durable record, so one that is not a record
        // boundary of a segment we hold is corrupt. Replaying from the oldest segment is safe
        // (writes are idempotent); trusting it could skip entries never applied.
        if !Self.isRecordBoundary(directory, ack, sizes: sizes) {
            logger.warning("ignoring invalid queue checkpoint", metadata: ["queue.checkpoint": "\(ack)"])
            ack = QueuePosition(segment: segments[0], offset: 0)
        }
        ackPosition = ack
        readPosition = ack
        durableEnd = QueuePosition(segment: last, offset: validEnd)
        Self.fsyncDirectory(directory)

        // The flusher holds the queue strongly until `shutdown()` ends its loop: with an unowned
        // capture, a queue released before the thread first ran crashed the process.
        let t = Thread { self.flushLoop() }
        t.name = "anvil.queue.flusher"
        thread = t
        t.start()
    }

    deinit {
        close(writeFD)
    }

    /// Stops the flusher after the records already handed to it are synced, and waits for it (the
    /// first call; later ones return at once), so the directory may be reopened right after.
    public func shutdown() {
        condition.lock()
        let first = !stopped
        stopped = true
        condition.broadcast()
        let w = waiters
        waiters = []
        condition.unlock()
        for c in w { c.resume() }
        if first { flusherDone.wait() }
    }

    // MARK: IngestQueue

    public func append(_ payload: [UInt8]) async throws {
        guard payload.count <= Self.maxRecordSize else {
            throw QueueError("record of \(payload.count) bytes exceeds the queue's \(Self.maxRecordSize)-byte limit")
        }
        var record = [UInt8]()
        record.reserveCapacity(payload.count + Self.headerSize)
        Self.appendUInt32(&record, UInt32(payload.count))
        Self.appendUInt32(&record, Self.crc(length: UInt32(payload.count), payload))
        record.append(contentsOf: payload)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            enqueue(record, c)
        }
    }

    private func enqueue(_ record: [UInt8], _ c: CheckedContinuation<Void, any Error>) {
        condition.lock()
        if let failure {
            condition.unlock()
            c.resume(throwing: failure)
            return
        }
        if stopped {
            condition.unlock()
            c.resume(throwing: QueueError("the ingest queue is shutting down"))
            return
        }
        pending.append((record, c))
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` with the state lock held (synchronous, so it can be called from async code).
    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    public func next(maxBytes: Int) async throws -> [QueueEntry] {
        while true {
            try Task.checkCancellation()
            let (from, end, isStopped) = locked { (readPosition, durableEnd, stopped) }
            if from < end {
                let entries = try await read(from: from, end: end, maxBytes: maxBytes)
                if let last = entries.last {
                    locked { readPosition = Self.after(last) }
                    return entries
                }
                // Reached the end of a segment: move to the next one.
                locked {
                    if readPosition == from, from.segment < end.segment {
                        readPosition = QueuePosition(segment: from.segment + 1, offset: 0)
                    }
                }
                continue
            }
            if isStopped { throw CancellationError() }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    // Checking cancellation under the lock closes the window where the cancel
                    // handler's wake-up ran before this waiter was registered (it then slept forever).
                    let ready = locked { () -> Bool in
                        if readPosition < durableEnd || stopped || Task.isCancelled { return true }
                        waiters.append(c)
                        return false
                    }
                    if ready { c.resume() }
                }
            } onCancel: {
                self.wakeReaders()
            }
        }
    }

    public func acknowledge(through entry: QueueEntry) async throws {
        let end = Self.after(entry)
        let deletable: [UInt64]? = locked {
            guard end > ackPosition else { return nil }
            ackPosition = end
            let old = segmentSizes.keys.filter { $0 < end.segment }
            for s in old { segmentSizes[s] = nil }
            return old
        }
        guard let deletable else { return }
        try Self.writeCheckpoint(directory, end, sync: !deletable.isEmpty)
        for s in deletable { unlink(Self.path(directory, s)) }
    }

    public func depth() async -> Int {
        locked {
            var total: UInt64 = 0
            for (s, size) in segmentSizes where s >= ackPosition.segment {
                let end = s == writeSegment ? writeOffset : size
                total += s == ackPosition.segment ? end - min(end, ackPosition.offset) : end
            }
            return Int(total)
        }
    }

    // MARK: flusher

    private func flushLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopped { condition.wait() }
            if pending.isEmpty && stopped {
                condition.unlock()
                truncateIfDrained()
                flusherDone.signal()
                return
            }
            let batch = pending
            pending = []
            condition.unlock()

            var result: Result<Void, any Error> = .success(())
            do {
                try writeBatch(batch.map(\.record))
            } catch {
                result = .failure(error)
                logger.error("ingest queue write failed", metadata: ["error": "\(error)"])
                condition.lock()
                failure = error  // stop accepting: acknowledging now could lose data
                condition.unlock()
            }
            for item in batch { item.done.resume(with: result) }
            wakeReaders()
        }
    }

    /// At a clean stop with every record applied, the last segment holds only acknowledged
    /// records: empty it, so a stopped server keeps no dead queue bytes on disk. A crash between the
    /// truncation and the checkpoint leaves a checkpoint past the end, which start-up ignores
    /// (replaying an empty segment).
    private func truncateIfDrained() {
        condition.lock()
        defer { condition.unlock() }
        guard failure == nil, ackPosition == durableEnd, writeOffset > 0 else { return }
        guard ftruncate(writeFD, 0) == 0, fsync(writeFD) == 0 else {
            logger.warning("cannot empty the drained queue segment", metadata: ["error": "\(String(cString: strerror(errno)))"])
            return
        }
        let start = QueuePosition(segment: writeSegment, offset: 0)
        writeOffset = 0
        segmentSizes[writeSegment] = 0
        durableEnd = start
        ackPosition = start
        readPosition = start
        try? Self.writeCheckpoint(directory, start, sync: true)
    }

    private func writeBatch(_ records: [[UInt8]]) throws {
        var buffer = [UInt8]()
        buffer.reserveCapacity(records.reduce(0) { $0 + $1.count })
        var startOffset = writeOffset
        for record in records {
            if startOffset + UInt64(buffer.count + record.count) > segmentLimit && startOffset + UInt64(buffer.count) > 0 {
                try flush(buffer)
                buffer.removeAll(keepingCapacity: true)
                try rotate()
                startOffset = 0
            }
            buffer.append(contentsOf: record)
        }
        try flush(buffer)
    }

    private func flush(_ buffer: [UInt8]) throws {
        guard !buffer.isEmpty else { return }
        var written = 0
        try buffer.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(writeFD, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw QueueError("queue write failed: \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
        guard fdatasync(writeFD) == 0 else {
            throw QueueError("queue fdatasync failed: \(String(cString: strerror(errno)))")
        }
        condition.lock()
        writeOffset += UInt64(buffer.count)
        segmentSizes[writeSegment] = writeOffset
        durableEnd = QueuePosition(segment: writeSegment, offset: writeOffset)
        condition.unlock()
    }

    private func rotate() throws {
        let next = writeSegment + 1
        let path = Self.path(directory, next)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError("cannot create queue segment: \(String(cString: strerror(errno)))") }
        Self.fsyncDirectory(directory)
        close(writeFD)
        condition.lock()
        writeFD = fd
        writeSegment = next
        writeOffset = 0
        segmentSizes[next] = 0
        condition.unlock()
    }

    private func wakeReaders() {
        condition.lock()
        let w = waiters
        waiters = []
        condition.unlock()
        for c in w { c.resume() }
    }

    // MARK: reading

    private func read(from: QueuePosition, end: QueuePosition, maxBytes: Int) async throws -> [QueueEntry] {
        let directory = self.directory
        return try await withCheckedThrowingContinuation { c in
            io.async {
                c.resume(with: Result {
                    let limit: UInt64 = from.segment == end.segment ? end.offset : UInt64.max
                    return try Self.readRecords(directory, segment: from.segment, offset: from.offset, limit: limit, maxBytes: maxBytes)
                })
            }
        }
    }

    static func readRecords(_ directory: String, segment: UInt64, offset: UInt64, limit: UInt64, maxBytes: Int) throws -> [QueueEntry] {
        let fd = open(path(directory, segment), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw QueueError("cannot open queue segment \(segment): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var entries: [QueueEntry] = []
        var position = offset
        var total = 0
        var header = [UInt8](repeating: 0, count: headerSize)
        while position < limit {
            let got = pread(fd, &header, headerSize, off_t(position))
            if got == 0 { break }
            guard got == headerSize else { break }
            let length = Int(readUInt32(header, 0))
            let crc = readUInt32(header, 4)
            guard length <= maxRecordSize else { throw QueueError("corrupt queue record length at \(segment):\(position)") }
            if !entries.isEmpty && total + length > maxBytes { break }
            var payload = [UInt8](repeating: 0, count: length)
            let n = payload.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(position) + off_t(headerSize)) }
            guard n == length, Self.crc(length: UInt32(length), payload) == crc else {
                throw QueueError("corrupt queue record at \(segment):\(position)")
            }
            entries.append(QueueEntry(position: QueuePosition(segment: segment, offset: position), payload: payload))
            position += UInt64(headerSize + length)
            total += length
        }
        return entries
    }

    static func after(_ entry: QueueEntry) -> QueuePosition {
        QueuePosition(segment: entry.position.segment, offset: entry.position.offset + UInt64(headerSize + entry.payload.count))
    }

    /// Whether `position` is the start or end of a record in a segment of `sizes` (segment → size).
    static func isRecordBoundary(_ directory: String, _ position: QueuePosition, sizes: [UInt64: UInt64]) -> Bool {
        guard let size = sizes[position.segment], position.offset <= size else { return false }
        if position.offset == 0 || position.offset == size { return true }
        let fd = open(path(directory, position.segment), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var offset: UInt64 = 0
        var header = [UInt8](repeating: 0, count: headerSize)
        while offset < position.offset {
            guard pread(fd, &header, headerSize, off_t(offset)) == headerSize else { return false }
            offset += UInt64(headerSize) + UInt64(readUInt32(header, 0))
        }
        return offset == position.offset
    }

    /// Length of the prefix of the file that consists of whole, CRC-valid records.
    static func validPrefix(fd: Int32) throws -> UInt64 {
        var position: UInt64 = 0
        var header = [UInt8](repeating: 0, count: headerSize)
        while true {
            guard pread(fd, &header, headerSize, off_t(position)) == headerSize else { return position }
            let length = Int(readUInt32(header, 0))
            guard length <= maxRecordSize else { return position }
            var payload = [UInt8](repeating: 0, count: length)
            let n = payload.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(position) + off_t(headerSize)) }
            guard n == length, crc(length: UInt32(length), payload) == readUInt32(header, 4) else { return position }
            position += UInt64(headerSize + length)
        }
    }

    // MARK: files

    static func path(_ directory: String, _ segment: UInt64) -> String {
        directory + "/" + String(format: "%020llu.seg", segment)
    }

    static func listSegments(_ directory: String) throws -> [UInt64] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".seg") }
            .compactMap { UInt64($0.dropLast(4)) }
            .sorted()
    }

    static func readCheckpoint(_ directory: String) -> QueuePosition? {
        guard let text = try? String(contentsOfFile: directory + "/checkpoint", encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ").compactMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard parts.count == 2 else { return nil }
        return QueuePosition(segment: parts[0], offset: parts[1])
    }

    /// Replaying from an older checkpoint is harmless (writes are idempotent), so the checkpoint is
    /// synced only before segments are deleted.
    static func writeCheckpoint(_ directory: String, _ position: QueuePosition, sync: Bool) throws {
        let tmp = directory + "/checkpoint.tmp"
        let data = Array("\(position.segment) \(position.offset)\n".utf8)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError("cannot write queue checkpoint: \(String(cString: strerror(errno)))") }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if sync { fsync(fd) }
        close(fd)
        guard rename(tmp, directory + "/checkpoint") == 0 else {
            throw QueueError("cannot install queue checkpoint: \(String(cString: strerror(errno)))")
        }
        if sync { fsyncDirectory(directory) }
    }

    static func fsyncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// CRC-32 of the little-endian length followed by the payload. Covering the length means a
    /// zero-filled tail (what a crash can leave after the file grew but before its data landed) is
    /// not a run of valid empty records: the CRC of four zero bytes is not zero.
    static func crc(length: UInt32, _ payload: [UInt8]) -> UInt32 {
        var lengthBytes: [UInt8] = []
        appendUInt32(&lengthBytes, length)
        let head = lengthBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return payload.withUnsafeBufferPointer { UInt32(crc32(head, $0.baseAddress, uInt($0.count))) }
    }

    static func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF))
        out.append(UInt8(v >> 16 & 0xFF)); out.append(UInt8(v >> 24 & 0xFF))
    }

    static func readUInt32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}

public struct QueueError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
