import DevKit
import ToolSupport

/// `obc -l`: joins the layer and prints every message read until the flow fails.
enum BroadcastReader {
    static func run(_ options: OBCOptions) -> Int32 {
        Console.say("Starting a reader.")
        let flow: Flow
        do {
            flow = try Flow.join(layer: options.layer)
        } catch {
            Console.say("Failed to join broadcast.")
            return -1
        }
        Console.say("New flow.")
        while true {
            let message: [UInt8]
            do {
                message = try flow.read(maxLength: OBCOptions.bufferSize)
            } catch {
                Termination.awaitExitIfRequested()
                Console.say("Failed to read.")
                try? flow.deallocate()
                return 0
            }
            Console.say("Message is \(OBCOptions.text(message)).")
        }
    }
}
