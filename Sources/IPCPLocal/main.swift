import IPCPKit
