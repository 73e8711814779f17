import AnvilSQLite
import AnvilStorage
import AnvilTesting
import Foundation
import Synchronization
import Testing

/// The on-disk ingest queue: ordering, group commit, crash recovery, rotation.
@Suite("DiskQueue")
struct DiskQueueTests {
    static let header = 8

    func payload(_ text: String) -> [UInt8] { Array(text.utf8) }
    func text(_ entries: [QueueEntry]) -> [String] { entries.map { String(decoding: $0.payload, as: UTF8.self) } }

    func open(_ dir: TemporaryDirectory, segmentLimit: UInt64 = 64 * 1024 * 1024) throws -> DiskQueue {
        try DiskQueue(directory: dir.path, segmentLimit: segmentLimit, logger: .test)
    }

    func segments(_ dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".seg") }.sorted()
    }

    /// Reads until `count` entries arrived (acknowledging nothing).
    func read(_ queue: DiskQueue, count: Int, maxBytes: Int = 1 << 20) async throws -> [QueueEntry] {
        var out: [QueueEntry] = []
        while out.count < count { out += try await queue.next(maxBytes: maxBytes) }
        return out
    }

    @Test("entries come back in append order, batched by maxBytes, and acks shrink the depth")
    func ordering() async throws {
        let dir = try TemporaryDirectory()
        let queue = try open(dir)
        defer { queue.shutdown() }
        #expect(await queue.depth() == 0)
        for i in 0..<5 { try await queue.append(payload("record-\(i)")) }  // 8 bytes each
        #expect(await queue.depth() == 5 * (Self.header + 8))

        let first = try await queue.next(maxBytes: 16)
        #expect(text(first) == ["record-0", "record-1"])
        // A single record larger than maxBytes still comes out alone.
        let second = try await queue.next(maxBytes: 1)
        #expect(text(second) == ["record-2"])
        let rest = try await queue.next(maxBytes: 1 << 20)
        #expect(text(rest) == ["record-3", "record-4"])
        #expect(first[0].position < first[1].position)
        #expect(first[1].position < second[0].position)

        try await queue.acknowledge(through: second[0])
        #expect(await queue.depth() == 2 * (Self.header + 8))
        // Acknowledging an older entry again changes nothing.
        try await queue.acknowledge(through: first[0])
        #expect(await queue.depth() == 2 * (Self.header + 8))
        try await queue.acknowledge(through: rest[1])
        #expect(await queue.depth() == 0)
    }

    @Test("next waits for an append, and returns promptly when cancelled")
    func waiting() async throws {
        let dir = try TemporaryDirectory()
        let queue = try open(dir)
        defer { queue.shutdown() }
        let reader = Task { try await queue.next(maxBytes: 1024) }
        try await Task.sleep(for: .milliseconds(50))
        try await queue.append(payload("late"))
        #expect(text(try await reader.value) == ["late"])

        let idle = Task { try await queue.next(maxBytes: 1024) }
        try await Task.sleep(for: .milliseconds(50))
        idle.cancel()
        await #expect(throws: CancellationError.self) { try await idle.value }
    }

    @Test("a cancelled next never hangs, whenever the cancellation lands")
    func cancellationRace() async throws {
        let dir = try TemporaryDirectory()
        let queue = try open(dir)
        defer { queue.shutdown() }
        for i in 0..<Self.cancellationRounds {
            let done = Mutex(false)
            let reader = Task {
                defer { done.withLock { $0 = true } }
                return try await queue.next(maxBytes: 1024)
            }
            if i % 2 == 1 { await Task.yield() }
            reader.cancel()
            var waited = 0
            while !done.withLock({ $0 }) && waited < 5000 {
                try await Task.sleep(for: .milliseconds(1))
                waited += 1
            }
            if !done.withLock({ $0 }) {
                Issue.record("next() missed its cancellation in round \(i)")
                try await queue.append([1])  // unblocks the stuck reader
                _ = try? await reader.value
                break
            }
            await #expect(throws: CancellationError.self) { try await reader.value }
        }
    }

    static let cancellationRounds = 2000

    @Test("200 concurrent appenders: every record delivered once, each task's in its order")
    func groupCommit() async throws {
        let dir = try TemporaryDirectory()
        let queue = try open(dir)
        defer { queue.shutdown() }
        let tasks = 200, perTask = 5
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for j in 0..<perTask { try await queue.append(Array("\(t):\(j)".utf8)) }
                }
            }
            try await group.waitForAll()
        }
        let entries = try await read(queue, count: tasks * perTask, maxBytes: 4096)
        #expect(entries.count == tasks * perTask)
        var next = [Int](repeating: 0, count: tasks)
        var ordered = true
        for e in entries {
            let parts = String(decoding: e.payload, as: UTF8.self).split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, next[parts[0]] == parts[1] else { ordered = false; break }
            next[parts[0]] += 1
        }
        #expect(ordered)
        #expect(next == [Int](repeating: perTask, count: tasks))
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.position < $1.position })
    }

    @Test("after a restart unacknowledged entries are redelivered, acknowledged ones are not")
    func restart() async throws {
        let dir = try TemporaryDirectory()
        do {
            let queue = try open(dir)
            for i in 0..<10 { try await queue.append(payload("r\(i)")) }
            let entries = try await read(queue, count: 10)
            try await queue.acknowledge(through: entries[3])
            queue.shutdown()
        }
        let reopened = try open(dir)
        defer { reopened.shutdown() }
        #expect(await reopened.depth() == 6 * (Self.header + 2))
        let redelivered = try await read(reopened, count: 6)
        #expect(text(redelivered) == ["r4", "r5", "r6", "r7", "r8", "r9"])
        try await reopened.append(payload("r10"))
        #expect(text(try await reopened.next(maxBytes: 1024)) == ["r10"])
    }

    enum Tail: String, CaseIterable, Sendable {
        /// Random bytes after the last record.
        case garbage
        /// A record whose payload was cut short.
        case truncatedRecord
        /// A header that claims more bytes than exist.
        case headerOnly
        /// Zeros, as a file extended by a crash before its data reached the disk reads back.
        case zeros
    }

    @Test("a torn tail is cut at start-up; valid entries survive and appends continue", arguments: Tail.allCases)
    func tornTail(_ tail: Tail) async throws {
        let dir = try TemporaryDirectory()
        do {
            let queue = try open(dir)
            for i in 0..<3 { try await queue.append(payload("ok-\(i)")) }
            queue.shutdown()
        }
        let segment = try #require(try segments(dir).last)
        let path = dir.file(segment)
        let validSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(validSize == 3 * (Self.header + 4))
        let junk: [UInt8]
        switch tail {
        case .garbage: junk = [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]
        case .truncatedRecord: junk = [10, 0, 0, 0, 0x11, 0x22, 0x33, 0x44] + Array("abc".utf8)
        case .headerOnly: junk = [0xFF, 0xFF, 0x00, 0x00, 0, 0, 0, 0]
        case .zeros: junk = [UInt8](repeating: 0, count: 4096)
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(junk))
        try handle.close()

        let queue = try open(dir)
        defer { queue.shutdown() }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == validSize)
        #expect(await queue.depth() == validSize)
        try await queue.append(payload("after"))
        let entries = try await read(queue, count: 4)
        #expect(text(entries) == ["ok-0", "ok-1", "ok-2", "after"])
        queue.shutdown()

        let again = try open(dir)
        defer { again.shutdown() }
        #expect(text(try await read(again, count: 4)) == ["ok-0", "ok-1", "ok-2", "after"])
    }

    /// Unreadable, or naming no record boundary: mid-record, past the end, a missing segment.
    @Test("a corrupt checkpoint replays from the oldest segment", arguments: ["garbage", "", "1 2 3", "x y", "1 5", "1 100000", "9 0", "0 0"])
    func corruptCheckpoint(_ content: String) async throws {
        let dir = try TemporaryDirectory()
        do {
            let queue = try open(dir)
            for i in 0..<5 { try await queue.append(payload("c\(i)")) }
            let entries = try await read(queue, count: 5)
            // Not the last one: a fully applied queue is emptied at a clean stop.
            try await queue.acknowledge(through: entries[3])
            #expect(await queue.depth() == DiskQueueTests.header + 2)
            queue.shutdown()
        }
        #expect(FileManager.default.fileExists(atPath: dir.file("checkpoint")))
        try Data(content.utf8).write(to: URL(fileURLWithPath: dir.file("checkpoint")))
        let queue = try open(dir)
        defer { queue.shutdown() }
        #expect(text(try await read(queue, count: 5)) == ["c0", "c1", "c2", "c3", "c4"])
    }

    @Test("small segments rotate, and fully acknowledged ones are deleted")
    func rotation() async throws {
        let dir = try TemporaryDirectory()
        let recordSize = Self.header + 200
        var queue: DiskQueue? = try open(dir, segmentLimit: 4096)
        for i in 0..<100 { try await queue!.append(Array(String(format: "%03d", i).utf8) + [UInt8](repeating: 0x61, count: 197)) }
        let perSegment = 4096 / recordSize  // 19 records fit in 4 KiB
        let files = try segments(dir)
        #expect(files.count == (100 + perSegment - 1) / perSegment)
        for f in files.dropLast() {
            #expect(try FileManager.default.attributesOfItem(atPath: dir.file(f))[.size] as? Int == perSegment * recordSize)
        }
        #expect(await queue!.depth() == 100 * recordSize)

        let entries = try await read(queue!, count: 100, maxBytes: 1000)
        #expect(entries.map { String(decoding: $0.payload.prefix(3), as: UTF8.self) } == (0..<100).map { String(format: "%03d", $0) })
        // Acknowledge into the third segment: the first two go.
        try await queue!.acknowledge(through: entries[2 * perSegment + 3])
        #expect(try segments(dir) == Array(files.dropFirst(2)))
        #expect(await queue!.depth() == (100 - 2 * perSegment - 4) * recordSize)
        queue!.shutdown()
        queue = nil

        let reopened = try open(dir, segmentLimit: 4096)
        defer { reopened.shutdown() }
        let rest = try await read(reopened, count: 100 - 2 * perSegment - 4, maxBytes: 1000)
        #expect(rest.first.map { String(decoding: $0.payload.prefix(3), as: UTF8.self) } == String(format: "%03d", 2 * perSegment + 4))
        #expect(rest.count == 100 - 2 * perSegment - 4)
        try await reopened.acknowledge(through: try #require(rest.last))
        #expect(await reopened.depth() == 0)
        #expect(try segments(dir) == [files.last!])
    }

    @Test("records up to the maximum size round-trip; larger ones are refused")
    func maxSize() async throws {
        let dir = try TemporaryDirectory()
        let queue = try open(dir)
        defer { queue.shutdown() }
        var big = [UInt8](repeating: 0x5A, count: DiskQueue.maxRecordSize)
        big[0] = 1
        big[big.count - 1] = 2
        try await queue.append(big)
        await #expect(throws: QueueError.self) { try await queue.append([UInt8](repeating: 0, count: DiskQueue.maxRecordSize + 1)) }
        try await queue.append(payload("small"))
        let first = try await queue.next(maxBytes: 1024)
        #expect(first.count == 1)
        #expect(first.first?.payload == big)
        #expect(text(try await queue.next(maxBytes: 1024)) == ["small"])
        try await queue.append([])
        #expect(try await queue.next(maxBytes: 1024).map(\.payload) == [[]])
    }

    @Test("a clean stop with everything applied leaves an empty segment; otherwise the log is kept")
    func drainedStop() async throws {
        let dir = try TemporaryDirectory()
        let segmentPath = { (name: String) in dir.path + "/" + name }
        func size(_ name: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: segmentPath(name))[.size] as? NSNumber)?.intValue ?? -1
        }
        let queue = try open(dir)
        for i in 0..<3 { try await queue.append(payload("drained-\(i)")) }
        let entries = try await read(queue, count: 3)
        try await queue.acknowledge(through: entries[2])
        queue.shutdown()
        let name = try #require(try segments(dir).last)
        #expect(try size(name) == 0)

        // Reopened: nothing to redeliver, and the log continues normally.
        let reopened = try open(dir)
        #expect(await reopened.depth() == 0)
        try await reopened.append(payload("after"))
        try await reopened.append(payload("kept"))
        let next = try await read(reopened, count: 2)
        #expect(text(next) == ["after", "kept"])
        try await reopened.acknowledge(through: next[0])  // "kept" is not applied
        reopened.shutdown()
        #expect(try size(name) == 2 * Self.header + "after".utf8.count + "kept".utf8.count)

        let again = try open(dir)
        defer { again.shutdown() }
        #expect(text(try await read(again, count: 1)) == ["kept"])
    }

    @Test("appends after shutdown are refused")
    func shutdown() async throws {
        let dir = try TemporaryDirectory()
        let queue = try open(dir)
        queue.shutdown()
        await #expect(throws: QueueError.self) { try await queue.append(payload("late")) }
    }
}
