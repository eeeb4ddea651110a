#if canImport(Glibc)
import Glibc
#endif
import IPCPBroadcast
import IPCPKit

exit(IPCPDaemon.main(type: .broadcast, argv: CommandLine.arguments) { BroadcastIPCP(ipcp: $0) })
