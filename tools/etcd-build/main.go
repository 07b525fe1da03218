// Command etcd is the etcd server, built from the published go.etcd.io/etcd/server/v3 module for the
// project's local Kubernetes control plane (tools/toolchain.sh kube). The etcd repository's own main
// package cannot be installed with `go install` (its go.mod has replace directives), so this one calls
// the same entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
