import DevKit
import IPCPEth
import XCTest

/// eth-llc frames against the reference's captures (eth-llc.txt) and ipcps.md §9.5.
final class LLCFrameTests: XCTestCase {
    let framing = EthernetFraming.llc
    let a = MACAddress(bytes: [0x4e, 0xee, 0x23, 0xf3, 0x1b, 0xc2])!
    let b = MACAddress(bytes: [0x76, 0x22, 0x7f, 0xf6, 0x35, 0xdd])!
    let digest = HashAlgorithm.sha3_256.digest(name: "oping.llc")

    func testEveryCapturedFrameParsesAndReserializesByteForByte() throws {
        let vectors = Vector.load("eth-llc.txt")
        XCTAssertEqual(vectors.count, 8)
        for v in vectors {
            let frame = try v.bytes.withUnsafeBytes { try framing.parse($0) }
            let payload = Array(v.bytes[frame.payload])
            XCTAssertEqual(frame.payload.upperBound, v.bytes.count, v.title)
            let header = try v.bytes.withUnsafeBytes { try LLCHeader(parsing: $0) }
            XCTAssertEqual(header.serialize(), Array(v.bytes.prefix(17)), v.title)
            XCTAssertEqual(header.control, 0x03)
            let destination = MACAddress(bytes: Array(v.bytes[0..<6]))!
            var rebuilt = payload
            if frame.isManagement {
                XCTAssertEqual(Array(v.bytes[14..<16]), [0x80, 0x80], v.title)
                let m = try payload.withUnsafeBytes { try ManagementMessage(parsing: $0, layout: .llc) }
                rebuilt = m.serialize(layout: .llc)
                XCTAssertEqual(rebuilt, payload, v.title)
            } else {
                XCTAssertEqual(frame.endpoints, FrameEndpoints(destination: 2, source: 2), v.title)
            }
            XCTAssertEqual(framing.frame(destination: destination, source: frame.source, endpoints: frame.endpoints,
                                         payload: rebuilt), v.bytes, v.title)
        }
    }

    func testManagementMessagesCarryLogicalSAPs() throws {
        let request = try XCTUnwrap(Vector.named("FLOW_REQ", in: "eth-llc.txt"))
        let frame = try request.bytes.withUnsafeBytes { try framing.parse($0) }
        let m = try Array(request.bytes[frame.payload]).withUnsafeBytes {
            try ManagementMessage(parsing: $0, layout: .llc)
        }
        XCTAssertEqual(m.code, .flowRequest)
        XCTAssertEqual(m.sourceEndpoint, 2)
        XCTAssertEqual(m.qos, .raw)
        XCTAssertEqual(Array(m.body.prefix(32)), digest)
        let built = ManagementMessage(code: .flowRequest, sourceEndpoint: 2, qos: .raw, body: m.body)
        XCTAssertEqual(framing.frame(destination: b, source: a, endpoints: framing.managementEndpoints,
                                     payload: built.serialize(layout: .llc)), request.bytes)

        let reply = try XCTUnwrap(Vector.named("FLOW_REPLY", in: "eth-llc.txt"))
        let r = try Array(reply.bytes[17...]).withUnsafeBytes { try ManagementMessage(parsing: $0, layout: .llc) }
        XCTAssertEqual(r.code, .flowReply)
        XCTAssertEqual(r.sourceEndpoint, 2)
        XCTAssertEqual(r.destinationEndpoint, 2)

        let query = try XCTUnwrap(Vector.named("NAME_QUERY_REQ", in: "eth-llc.txt"))
        XCTAssertEqual(framing.frame(destination: .broadcast, source: a, endpoints: framing.managementEndpoints,
                                     payload: ManagementMessage(code: .nameQueryRequest, body: digest)
                                        .serialize(layout: .llc)), query.bytes)
    }

    func testDataFrameOfSpecExample() {
        // §9.5: "hi", local SAP 2 (0x40), remote SAP 3 (0xC0).
        let frame = framing.frame(destination: b, source: a, endpoints: FrameEndpoints(destination: 3, source: 2),
                                  payload: Array("hi".utf8))
        XCTAssertEqual(Array(frame[12...]), [0x00, 0x05, 0xC0, 0x40, 0x03, 0x68, 0x69])
    }

    func testSAPBitReversal() {
        let expected: [UInt8: UInt8] = [1: 0x80, 2: 0x40, 3: 0xC0, 4: 0x20, 5: 0xA0, 65: 0x82]
        for (logical, wire) in expected { XCTAssertEqual(LLCHeader.reverseBits(logical), wire, "\(logical)") }
        for v in UInt8.min...UInt8.max { XCTAssertEqual(LLCHeader.reverseBits(LLCHeader.reverseBits(v)), v) }
    }

    func testMalformedFramesAreRefused() {
        let good = framing.frame(destination: b, source: a, endpoints: FrameEndpoints(destination: 3, source: 2),
                                 payload: Array("hi".utf8))
        func parse(_ bytes: [UInt8]) -> FrameError? {
            do {
                _ = try bytes.withUnsafeBytes { try framing.parse($0) }
                return nil
            } catch { return error as? FrameError }
        }
        XCTAssertNil(parse(good))
        XCTAssertEqual(parse(Array(good.prefix(16))), .short)
        XCTAssertEqual(parse(Array(good.prefix(18))), .badLength)
        var ethertype = good
        ethertype[12] = 0x06
        ethertype[13] = 0x00
        XCTAssertEqual(parse(ethertype), .otherProtocol)
        var tiny = good
        tiny[13] = 0x02
        XCTAssertEqual(parse(tiny), .badLength)
        var padded = good + [UInt8](repeating: 0, count: 40)
        XCTAssertNil(parse(padded))
        padded[13] = 0x40
        XCTAssertEqual(parse(padded), .badLength)
    }

    func testSAPTableHandsOutLowestFirstAndChecksRanges() {
        var table = SAPTable()
        for i in 0..<64 { XCTAssertEqual(table.allocate(for: Int32(100 + i)), UInt16(2 + i)) }
        XCTAssertNil(table.allocate(for: 999))
        XCTAssertEqual(table.flow(at: 2), 100)
        XCTAssertEqual(table.flow(at: 65), 163)
        for sap: UInt16 in [0, 1, 66, 0xFF, 0xFFFF] { XCTAssertNil(table.flow(at: sap)) }
        table.release(40)
        table.release(7)
        table.release(200)
        XCTAssertEqual(table.allocate(for: 1), 7)
        XCTAssertEqual(table.allocate(for: 2), 40)
    }
}
