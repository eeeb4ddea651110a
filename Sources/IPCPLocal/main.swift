#if canImport(Glibc)
import Glibc
#endif
import DevKit
import IPCPKit

exit(IPCPDaemon.main(type: .local, argv: CommandLine.arguments) { LocalIPCP(ipcp: $0) })
