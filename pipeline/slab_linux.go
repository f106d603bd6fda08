package pipeline

import "syscall"

const mapNoReserve = syscall.MAP_NORESERVE
