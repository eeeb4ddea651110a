import DevKit
import Foundation
import SwiftProtobuf

/// The enrollment (OEP) messages (`enroll.proto`, ipcps.md §6.8), one SDU
/// each, at most `maxLength` bytes.
public enum Enrollment {
    /// The buffer size of both sides: longer messages cannot be exchanged.
    public static let maxLength = 1024
    /// The enrollment id's length.
    public static let idLength = 8
}

/// The enrollee's request: a random id.
public struct EnrollRequest: Sendable, Equatable {
    public var id: [UInt8]

    public init(id: [UInt8]) { self.id = id }

    /// A request with a fresh random id.
    public static func random() -> EnrollRequest {
        EnrollRequest(id: (0..<Enrollment.idLength).map { _ in UInt8.random(in: 0...255) })
    }

    /// `.invalid` unless it decodes with an 8-byte id.
    public init(parsing bytes: [UInt8]) throws(OuroError) {
        guard bytes.count <= Enrollment.maxLength, let m = try? enroll_req_msg(serializedBytes: bytes),
              m.hasID, m.id.count == Enrollment.idLength else { throw OuroError.invalid }
        self.init(id: [UInt8](m.id))
    }

    public func serialize() -> [UInt8] {
        var m = enroll_req_msg()
        m.id = Data(id)
        return (try? m.serializedBytes()) ?? []
    }
}

/// The enroller's answer: the id echoed, its realtime clock, the response
/// and (iff the response is not negative) the layer configuration.
public struct EnrollResponse: Sendable, Equatable {
    public var id: [UInt8]
    public var seconds: Int64
    public var nanoseconds: Int32
    public var response: Int32
    public var config: ipcp_config_msg?

    public init(id: [UInt8], seconds: Int64, nanoseconds: Int32, response: Int32, config: ipcp_config_msg?) {
        self.id = id
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.response = response
        self.config = config
    }

    /// `.invalid` unless it decodes with every required field and an 8-byte id.
    public init(parsing bytes: [UInt8]) throws(OuroError) {
        guard bytes.count <= Enrollment.maxLength, let m = try? enroll_resp_msg(serializedBytes: bytes),
              m.hasID, m.id.count == Enrollment.idLength, m.hasTSec, m.hasTNsec, m.hasResponse else {
            throw OuroError.invalid
        }
        self.init(id: [UInt8](m.id), seconds: m.tSec, nanoseconds: m.tNsec, response: m.response,
                  config: m.hasConf ? m.conf : nil)
    }

    public func serialize() -> [UInt8] {
        var m = enroll_resp_msg()
        m.id = Data(id)
        m.tSec = seconds
        m.tNsec = nanoseconds
        m.response = response
        if let config { m.conf = config }
        return (try? m.serializedBytes()) ?? []
    }
}

/// The enrollee's acknowledgement: the id echoed and 0 for success.
public struct EnrollAck: Sendable, Equatable {
    public var id: [UInt8]
    public var result: Int32

    public init(id: [UInt8], result: Int32) {
        self.id = id
        self.result = result
    }

    public init(parsing bytes: [UInt8]) throws(OuroError) {
        guard bytes.count <= Enrollment.maxLength, let m = try? enroll_ack_msg(serializedBytes: bytes),
              m.hasID, m.hasResult else { throw OuroError.invalid }
        self.init(id: [UInt8](m.id), result: m.result)
    }

    public func serialize() -> [UInt8] {
        var m = enroll_ack_msg()
        m.id = Data(id)
        m.result = result
        return (try? m.serializedBytes()) ?? []
    }
}
