#if canImport(Glibc)
import Glibc
#endif
import IPCPKit
import IPCPUDP

exit(IPCPDaemon.main(type: .udp6, argv: CommandLine.arguments) { UDPIPCP(ipcp: $0, family: .v6) })
