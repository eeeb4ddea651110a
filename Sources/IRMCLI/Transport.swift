import DevKit

/// One request/reply exchange with the IRMd.
public protocol IRMTransport {
    /// Sends `request` and returns the IRMd's reply; `OuroError.irmd` when the
    /// IRMd cannot be reached or does not answer.
    func send(_ request: irm_msg) throws(OuroError) -> irm_msg
}

/// The IRMd of the current instance (`OUROBOROS_RUNDIR` honoured).
public struct DaemonTransport: IRMTransport {
    public init() {}

    public func send(_ request: irm_msg) throws(OuroError) -> irm_msg {
        try ControlChannel.irmd(request)
    }
}
