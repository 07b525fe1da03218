// CoreDNS for the local cluster (tools/toolchain.sh node): only the plugins its Corefile uses, so the build
// stays small. The directive order is CoreDNS's own (core/dnsserver/zdirectives.go), filtered.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
)

var keep = map[string]bool{
	"ready": true, "health": true, "errors": true, "log": true, "cache": true, "kubernetes": true, "loop": true,
}

func main() {
	var order []string
	for _, d := range dnsserver.Directives {
		if keep[d] {
			order = append(order, d)
		}
	}
	dnsserver.Directives = order
	coremain.Run()
}
