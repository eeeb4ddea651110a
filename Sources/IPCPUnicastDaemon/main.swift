#if canImport(Glibc)
import Glibc
#endif
import IPCPKit
import IPCPUnicast

exit(IPCPDaemon.main(type: .unicast, argv: CommandLine.arguments) { UnicastIPCP(ipcp: $0) })
