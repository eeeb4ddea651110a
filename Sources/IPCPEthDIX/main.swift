#if canImport(Glibc)
import Glibc
#endif
import DevKit
import IPCPEth
import IPCPKit

exit(IPCPDaemon.main(type: .ethDIX, argv: CommandLine.arguments) { EthernetIPCP(ipcp: $0, kind: .dix) })
