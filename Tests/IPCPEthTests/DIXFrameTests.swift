import DevKit
import IPCPEth
import XCTest

/// eth-dix frames against the reference's captures (eth-dix.txt) and ipcps.md §9.4.
final class DIXFrameTests: XCTestCase {
    let framing = EthernetFraming.dix(ethertype: 0xA000)
    let a = MACAddress(bytes: [0x6e, 0x76, 0xcc, 0x3c, 0x47, 0x6d])!
    let b = MACAddress(bytes: [0x96, 0x9b, 0xb0, 0xa5, 0x80, 0x0e])!
    let digest = HashAlgorithm.sha3_256.digest(name: "oping.dix")

    func testEveryCapturedFrameParsesAndReserializesByteForByte() throws {
        let vectors = Vector.load("eth-dix.txt")
        XCTAssertEqual(vectors.count, 8)
        for v in vectors {
            let frame = try v.bytes.withUnsafeBytes { try framing.parse($0) }
            let payload = Array(v.bytes[frame.payload])
            XCTAssertEqual(frame.payload.upperBound, v.bytes.count, v.title)
            let header = try v.bytes.withUnsafeBytes { try DIXHeader(parsing: $0) }
            XCTAssertEqual(header.serialize(), Array(v.bytes.prefix(18)), v.title)
            let destination = MACAddress(bytes: Array(v.bytes[0..<6]))!
            if frame.isManagement {
                let m = try payload.withUnsafeBytes { try ManagementMessage(parsing: $0, layout: .dix) }
                XCTAssertEqual(m.serialize(layout: .dix), payload, v.title)
                XCTAssertEqual(framing.frame(destination: destination, source: frame.source,
                                             endpoints: framing.managementEndpoints, payload: m.serialize(layout: .dix)),
                               v.bytes, v.title)
            } else {
                XCTAssertEqual(framing.frame(destination: destination, source: frame.source, endpoints: frame.endpoints,
                                             payload: payload), v.bytes, v.title)
            }
        }
    }

    func testNameQueryRequestIsBroadcastWithOnlyTheCodeSet() throws {
        let v = try XCTUnwrap(Vector.named("NAME_QUERY_REQ", in: "eth-dix.txt"))
        let message = ManagementMessage(code: .nameQueryRequest, body: digest)
        XCTAssertEqual(framing.frame(destination: .broadcast, source: a, endpoints: framing.managementEndpoints,
                                     payload: message.serialize(layout: .dix)), v.bytes)
        // §9.4: payload length 39 + 32 = 0x47, header zero except code 02 at offset 37.
        XCTAssertEqual(Array(v.bytes[12..<18]), [0xA0, 0x00, 0x00, 0x00, 0x00, 0x47])
        XCTAssertEqual(v.bytes[18 + 37], 0x02)
    }

    func testFlowRequestCarriesRequesterEndpointQoSAndDigest() throws {
        let v = try XCTUnwrap(Vector.named("FLOW_REQ", in: "eth-dix.txt"))
        let frame = try v.bytes.withUnsafeBytes { try framing.parse($0) }
        XCTAssertTrue(frame.isManagement)
        XCTAssertEqual(frame.source, a)
        let m = try Array(v.bytes[frame.payload]).withUnsafeBytes { try ManagementMessage(parsing: $0, layout: .dix) }
        XCTAssertEqual(m.code, .flowRequest)
        XCTAssertEqual(m.sourceEndpoint, 64)
        XCTAssertEqual(m.destinationEndpoint, 0)
        XCTAssertEqual(m.qos, .raw)
        XCTAssertEqual(Array(m.body.prefix(32)), digest)
        XCTAssertEqual(m.body.count, 32 + 36)
        let rebuilt = ManagementMessage(code: .flowRequest, sourceEndpoint: 64, qos: .raw, body: m.body)
        XCTAssertEqual(framing.frame(destination: b, source: a, endpoints: framing.managementEndpoints,
                                     payload: rebuilt.serialize(layout: .dix)), v.bytes)
    }

    func testFlowReplyCarriesBothEndpoints() throws {
        let v = try XCTUnwrap(Vector.named("FLOW_REPLY", in: "eth-dix.txt"))
        let frame = try v.bytes.withUnsafeBytes { try framing.parse($0) }
        let m = try Array(v.bytes[frame.payload]).withUnsafeBytes { try ManagementMessage(parsing: $0, layout: .dix) }
        XCTAssertEqual(m.code, .flowReply)
        XCTAssertEqual(m.sourceEndpoint, 64)
        XCTAssertEqual(m.destinationEndpoint, 64)
        XCTAssertEqual(m.response, 0)
        XCTAssertEqual(m.qos, ManagementMessage.noQoS)
        XCTAssertEqual(m.body.count, 84)
    }

    func testDataFrameOfSpecExample() {
        // §9.4: "hi" to remote fd 0x50.
        let frame = framing.frame(destination: b, source: a, endpoints: FrameEndpoints(destination: 0x50, source: 0),
                                  payload: Array("hi".utf8))
        XCTAssertEqual(Array(frame[12...]), [0xA0, 0x00, 0x00, 0x50, 0x00, 0x02, 0x68, 0x69])
    }

    func testPaddingIsIgnoredThroughTheLengthField() throws {
        var bytes = framing.frame(destination: b, source: a, endpoints: FrameEndpoints(destination: 0x50, source: 0),
                                  payload: Array("hi".utf8))
        bytes += [UInt8](repeating: 0, count: 60 - bytes.count)
        let frame = try bytes.withUnsafeBytes { try framing.parse($0) }
        XCTAssertEqual(frame.payload, 18..<20)
        XCTAssertFalse(frame.isManagement)
        XCTAssertEqual(frame.endpoints.destination, 0x50)
    }

    func testMalformedFramesAreRefused() {
        let good = framing.frame(destination: b, source: a, endpoints: FrameEndpoints(destination: 0x50, source: 0),
                                 payload: Array("hi".utf8))
        func parse(_ bytes: [UInt8]) -> FrameError? {
            do {
                _ = try bytes.withUnsafeBytes { try framing.parse($0) }
                return nil
            } catch { return error as? FrameError }
        }
        XCTAssertNil(parse(good))
        XCTAssertEqual(parse([]), .short)
        XCTAssertEqual(parse(Array(good.prefix(17))), .short)
        XCTAssertEqual(parse(Array(good.prefix(19))), .badLength)
        var long = good
        long[16] = 0xFF
        XCTAssertEqual(parse(long), .badLength)
        var other = good
        other[13] = 0x01
        XCTAssertEqual(parse(other), .otherProtocol)
        XCTAssertThrowsError(try good.withUnsafeBytes { try EthernetFraming.dix(ethertype: 0xA001).parse($0) }) {
            XCTAssertEqual($0 as? FrameError, .otherProtocol)
        }
    }

    func testManagementMessagesRefuseShortHeadersAndUnknownCodes() {
        func parse(_ bytes: [UInt8], _ layout: ManagementMessage.Layout) -> ManagementMessage.ParseError? {
            do {
                _ = try bytes.withUnsafeBytes { try ManagementMessage(parsing: $0, layout: layout) }
                return nil
            } catch { return error as? ManagementMessage.ParseError }
        }
        XCTAssertEqual(parse([UInt8](repeating: 0, count: 38), .dix), .short)
        XCTAssertEqual(parse([UInt8](repeating: 0, count: 36), .llc), .short)
        var dix = [UInt8](repeating: 0, count: 39)
        dix[37] = 4
        XCTAssertEqual(parse(dix, .dix), .unknownCode(4))
        var llc = [UInt8](repeating: 0, count: 37)
        llc[2] = 9
        XCTAssertEqual(parse(llc, .llc), .unknownCode(9))
    }

    func testEthertypeValidation() throws {
        var conf = eth_config_msg()
        conf.dev = "veth0"
        for bad: UInt32 in [0, 0x05FF, 0xFFFF, 0x10000] {
            conf.ethertype = bad
            XCTAssertThrowsError(try EthernetIPCP.framing(kind: .dix, conf), "\(bad)")
        }
        conf.ethertype = 0x0600
        XCTAssertEqual(try EthernetIPCP.framing(kind: .dix, conf), .dix(ethertype: 0x0600))
        conf.ethertype = 0x38e4
        XCTAssertEqual(try EthernetIPCP.framing(kind: .llc, conf), .llc)
    }

    func testMTU() {
        XCTAssertEqual(framing.mtu(device: "veth0", deviceMTU: 1500), 1500)
        XCTAssertEqual(framing.mtu(device: "veth0", deviceMTU: 70000), 65535)
        XCTAssertEqual(framing.mtu(device: "lo", deviceMTU: 65536), 9000)
        XCTAssertEqual(EthernetFraming.llc.mtu(device: "eth0", deviceMTU: 9000), 1500)
    }
}
