import Foundation
import Testing
@testable import AnvilCore

private let rootId = UUID(uuidString: "01a22861-2ab3-7a87-ab3a-cc836d0b3376")!
private let childId = UUID(uuidString: "01a22861-2ab4-7000-8000-000000000002")!
private let grandchildId = UUID(uuidString: "01a22861-2ab5-7000-8000-000000000003")!
private let rootStamp = "20261129T173626291570Z"
private let childStamp = "20261129T173626300000Z"
private let grandchildStamp = "20261129T173627000001Z"

private let rootSegment = rootStamp + rootId.lowercased
private let childSegment = childStamp + childId.lowercased
private let grandchildSegment = grandchildStamp + grandchildId.lowercased

@Suite("DottedOrder")
struct DottedOrderTests {
    @Test("a root order: one segment, trace id = run id, no parent")
    func root() throws {
        let order = try #require(DottedOrder(rootSegment))
        #expect(order.segments == [DottedOrder.Segment(time: Timestamp(microseconds: 1_795_973_786_291_570), id: rootId)])
        #expect(order.traceId == rootId)
        #expect(order.runId == rootId)
        #expect(order.parentId == nil)
        #expect(order.depth == 0)
        #expect(order.ancestorIds == [])
        #expect(order.string == rootSegment)
        #expect(DottedOrder.root(id: rootId, start: Timestamp(microseconds: 1_795_973_786_291_570)) == order)
    }

    @Test("a grandchild: trace, parent and ancestors from its segments")
    func nested() throws {
        let text = [rootSegment, childSegment, grandchildSegment].joined(separator: ".")
        let order = try #require(DottedOrder(text))
        #expect(order.segments.map(\.id) == [rootId, childId, grandchildId])
        #expect(order.segments.map(\.time.dottedOrderStamp) == [rootStamp, childStamp, grandchildStamp])
        #expect(order.traceId == rootId)
        #expect(order.runId == grandchildId)
        #expect(order.parentId == childId)
        #expect(order.depth == 2)
        #expect(order.ancestorIds == [rootId, childId])
        #expect(order.string == text)
    }

    @Test("child construction appends a segment")
    func child() throws {
        let root = DottedOrder.root(id: rootId, start: Timestamp(dottedOrderStamp: Substring(rootStamp))!)
        let child = root.child(id: childId, start: Timestamp(dottedOrderStamp: Substring(childStamp))!)
        let grandchild = child.child(id: grandchildId, start: Timestamp(dottedOrderStamp: Substring(grandchildStamp))!)
        #expect(child.string == rootSegment + "." + childSegment)
        #expect(grandchild.string == rootSegment + "." + childSegment + "." + grandchildSegment)
        #expect(grandchild.parentId == childId)
        #expect(grandchild.traceId == rootId)
        #expect(root.depth == 0 && child.depth == 1 && grandchild.depth == 2)
        #expect(DottedOrder(grandchild.string) == grandchild)
        // A child's order sorts after its parent's and before a later sibling's.
        let sibling = root.child(id: grandchildId, start: Timestamp(dottedOrderStamp: Substring(grandchildStamp))!)
        #expect(root.string < child.string)
        #expect(grandchild.string < sibling.string)
    }

    @Test("upper-case ids parse and format lower-case")
    func upperCase() throws {
        let order = try #require(DottedOrder(rootStamp + rootId.uuidString.uppercased()))
        #expect(order.runId == rootId)
        #expect(order.string == rootSegment)
        #expect(rootId.lowercased == "01a22861-2ab3-7a87-ab3a-cc836d0b3376")
    }

    @Test("an empty segment list formats as the empty string")
    func emptySegments() {
        let order = DottedOrder(segments: [])
        #expect(order.string == "")
        #expect(order.traceId == nil)
        #expect(order.runId == nil)
        #expect(order.parentId == nil)
    }

    static let malformed: [String] = [
        "",
        ".",
        rootSegment + ".",
        "." + rootSegment,
        rootSegment + ".." + childSegment,
        rootId.lowercased,  // no stamp
        rootStamp,  // no id
        "20261129T173626291570" + rootId.lowercased,  // stamp without Z
        "20261129T17362629157Z" + rootId.lowercased,  // 5 fraction digits
        "20261129T1736262915700Z" + rootId.lowercased,  // 7 fraction digits
        "20261329T173626291570Z" + rootId.lowercased,  // month 13
        "20230229T173626291570Z" + rootId.lowercased,  // not a leap year
        "2026-11-29T17:36:26Z" + rootId.lowercased,  // ISO stamp
        rootStamp + "01a22861-2ab3-7a87-ab3a-cc836d0b337g",  // non-hex
        rootStamp + "01a228612ab37a87ab3acc836d0b3376",  // no hyphens
        rootStamp + "01a22861-2ab3-7a87-ab3a-cc836d0b337",  // 35 chars
        rootStamp + "x01a22861-2ab3-7a87-ab3a-cc836d0b3376",  // junk between stamp and id
        rootSegment + "." + childStamp,  // child without id
        rootSegment + " ",
        " " + rootSegment,
        String(repeating: rootSegment + ".", count: 1200) + rootSegment,  // over 64 KiB
    ]

    @Test("rejects malformed orders", arguments: malformed)
    func rejects(_ text: String) {
        #expect(DottedOrder(text) == nil)
    }

    @Test("a deep but reasonable order parses")
    func deep() throws {
        var order = DottedOrder.root(id: rootId, start: Timestamp(microseconds: 0))
        var ids = [rootId]
        for i in 1..<500 {
            let id = UUID()
            ids.append(id)
            order = order.child(id: id, start: Timestamp(microseconds: Int64(i)))
        }
        let parsed = try #require(DottedOrder(order.string))
        #expect(parsed.depth == 499)
        #expect(parsed.ancestorIds == Array(ids.dropLast()))
        #expect(parsed == order)
    }
}
