import DevKit
import IPCPKit

/// The unicast IPCP's information tree (`irm ipcp info`), gathered from its
/// components.
extension UnicastLayer {
    /// The tree of `section`; `.notSupported` where the configured policies
    /// keep no such state.
    public func info(_ section: InfoSection) throws(OuroError) -> InfoNode {
        let node: InfoNode?
        switch section {
        case .lsdb, .pff: node = routing.info(section)
        case .dht: node = directory.info(section)
        case .flows: node = flowAllocator.info
        case .dt: node = dt.info
        case .info: node = nil
        }
        guard let node else { throw OuroError.notSupported }
        return node
    }
}
