import DevKit
import ToolSupport

/// `obc -n <layer> [-m <message>]`: joins the layer, writes the message with
/// its NUL once, and leaves.
enum BroadcastWriter {
    static func run(_ options: OBCOptions) -> Int32 {
        let flow: Flow
        do {
            flow = try Flow.join(layer: options.layer)
        } catch {
            Console.say("Failed to join broadcast.")
            return -1
        }
        do {
            try flow.write(options.payload)
        } catch {
            Console.say("Failed to write packet.")
            try? flow.deallocate()
            return -1
        }
        try? flow.deallocate()
        return 0
    }
}
