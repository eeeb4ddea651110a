import DevKit

/// Reading a non-blocking flow packet by packet, as the servers' drain loops do.
public enum PacketDrain {
    /// The length of the next packet read into `buffer`; nil when nothing waits
    /// or the flow ended (then `ended` runs once). Other errors skip the packet.
    public static func next(_ flow: Flow, into buffer: IOBuffer, ended: () -> Void) -> Int? {
        while true {
            do {
                return try flow.read(into: buffer.bytes)
            } catch .again {
                return nil
            } catch where error.endsFlow {
                ended()
                return nil
            } catch {
                continue
            }
        }
    }
}
