import IRMCLI
