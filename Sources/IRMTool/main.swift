import Glibc
import IRMCLI

exit(IRMCommandLine.run(arguments: CommandLine.arguments))
