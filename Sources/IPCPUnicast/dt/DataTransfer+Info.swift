import DevKit
import IPCPCommon
import IPCPKit

/// The data transfer's information tree (`irm ipcp info ... dt`).
extension DataTransfer {
    /// `/dt.<address>` as the reference's RIB: each N-1 flow by descriptor
    /// with its neighbour, when it came up, its send queue and, per QoS cube that carried
    /// traffic, its packet and byte counters; then the drops by reason.
    public var info: InfoNode {
        let flows = counters.flows.map { tracked in
            var entries = [
                InfoNode("endpoint", tracked.neighbour.description),
                InfoNode("established", InfoFormat.utc(tracked.since)),
            ]
            if let queued = try? Flow(fd: tracked.fd).sendQueueLength() {
                entries.append(InfoNode("send queue", "\(queued) packets"))
            }
            for cube in QoSCube.allCases {
                let counts = N1FlowCounters.Event.allCases.map { ($0, counters.count($0, fd: tracked.fd, cube: cube)) }
                guard counts.contains(where: { $0.1.packets > 0 }) else { continue }
                entries.append(InfoNode("qos \(cube.rawValue)", nil, counts.map { event, c in
                    InfoNode(event.label, InfoFormat.traffic(packets: c.packets, bytes: c.bytes))
                }))
            }
            return InfoNode(String(tracked.fd), nil, entries)
        }
        let dropped = drops.all.sorted { $0.key < $1.key }.map { InfoNode($0.key, String($0.value)) }
        return InfoNode("dt.\(address)", flows.isEmpty ? "no N-1 flows" : nil,
                        flows + (dropped.isEmpty ? [] : [InfoNode("drops", nil, dropped)]))
    }
}
