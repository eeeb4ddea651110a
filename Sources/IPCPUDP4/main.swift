#if canImport(Glibc)
import Glibc
#endif
import IPCPKit
import IPCPUDP

exit(IPCPDaemon.main(type: .udp4, argv: CommandLine.arguments) { UDPIPCP(ipcp: $0, family: .v4) })
