import DevKit
import Foundation
@testable import IPCPUDP
import XCTest

/// Bootstrap configuration, addresses and the DDNS helper texts.
final class ConfigTests: XCTestCase {
    func testUDP4ConfigUsesTheReferenceAddressEncoding() throws {
        var conf = ipcp_config_msg()
        conf.udp4.ipAddr = 0x0100_000A // 10.0.0.1, network-order bytes read little-endian
        conf.udp4.port = 3436
        conf.udp4.dnsAddr = 0
        let c = try UDPConfig(conf, family: .v4)
        XCTAssertEqual(c.address.description, "10.0.0.1")
        XCTAssertEqual(c.port, 3436)
        XCTAssertNil(c.dns)
        conf.udp4.dnsAddr = 0x3500_000A
        XCTAssertEqual(try UDPConfig(conf, family: .v4).dns?.description, "10.0.0.53")
        conf.udp4.port = 70000
        XCTAssertThrowsError(try UDPConfig(conf, family: .v4))
        XCTAssertThrowsError(try UDPConfig(conf, family: .v6), "no udp6 part")
    }

    func testUDP6Config() throws {
        var conf = ipcp_config_msg()
        conf.udp6.ipAddr = Data(IPAddress("fd00::1", family: .v6)!.bytes)
        conf.udp6.port = 3435
        conf.udp6.dnsAddr = Data(count: 16)
        let c = try UDPConfig(conf, family: .v6)
        XCTAssertEqual(c.address.description, "fd00::1")
        XCTAssertNil(c.dns)
        conf.udp6.ipAddr = Data([1, 2, 3, 4])
        XCTAssertThrowsError(try UDPConfig(conf, family: .v6))
    }

    func testSocketAddresses() {
        let v4 = SocketAddress(ip: IPAddress("10.95.0.2", family: .v4)!, port: 3435)
        XCTAssertEqual(v4.description, "10.95.0.2:3435")
        XCTAssertEqual(v4.bytes.count, 16)
        XCTAssertEqual(Array(v4.bytes[2..<8]), [0x0d, 0x6b, 10, 95, 0, 2])
        XCTAssertEqual(v4.port, 3435)
        let v6 = SocketAddress(ip: IPAddress("fd00::2", family: .v6)!, port: 3436)
        XCTAssertEqual(v6.description, "[fd00::2]:3436")
        XCTAssertEqual(v6.bytes.count, 28)
        XCTAssertNotEqual(v4, SocketAddress(ip: v4.ip, port: 3436))
        XCTAssertTrue(v6.bytes.withUnsafeBytes { v6.equals(raw: $0.baseAddress!, length: 28) })
        XCTAssertNil(IPAddress("10.0.0.1", family: .v6))
        XCTAssertEqual(UDPFamily.v4.maxPacket, 8980)
        XCTAssertEqual(UDPFamily.v6.maxPacket, 8952)
    }

    func testDynamicDNSTexts() {
        let server = IPAddress("10.0.0.53", family: .v4)!
        let name = NameResolver.name(of: HashAlgorithm.md5.digest(name: "oping.raw"))
        XCTAssertEqual(name, "3df3c90fa9f7ad65eba4b19479aa3e14")
        XCTAssertEqual(DynamicDNS.addCommand(server: server, name: name, address: IPAddress("10.0.0.2", family: .v4)!),
                       "server 10.0.0.53\nupdate add 3df3c90fa9f7ad65eba4b19479aa3e14 86400 A 10.0.0.2\nsend\nquit\n")
        XCTAssertEqual(DynamicDNS.deleteCommand(server: server, name: name),
                       "server 10.0.0.53\nupdate delete 3df3c90fa9f7ad65eba4b19479aa3e14 A\nsend\nquit\n")
        let answer = "Server:\t\t10.0.0.53\nAddress:\t10.0.0.53#53\n\nName:\t\(name)\nAddress: 10.0.0.2\n\n"
        XCTAssertEqual(DynamicDNS.parseLookup(answer, family: .v4)?.description, "10.0.0.2")
        XCTAssertNil(DynamicDNS.parseLookup("Server:\t\t10.0.0.53\n\n** server can't find x: NXDOMAIN\n\n", family: .v4))
        XCTAssertNil(DynamicDNS.parseLookup(answer, family: .v6))
    }
}
