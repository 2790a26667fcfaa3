// A cert-manager controller for tests, built from the public packages of the cert-manager Go module
// (its cmd/controller is a separate module the proxy does not serve). It starts only what the tests
// need: the Certificate controllers, the CertificateRequest approver and the SelfSigned and CA
// signers, and the Issuer / ClusterIssuer controllers. It runs out of cluster against one API
// server: no leader election, no webhook, no metrics server, no ACME (whose DNS providers pull
// modules the proxy refuses).
//
//	cert-manager --kubeconfig FILE [--namespace NS] [--cluster-resource-namespace NS] [-v N]
//
// It prints "cert-manager: started <controllers>" on stderr once its caches are synced and stops on
// SIGTERM / SIGINT. The CRDs come from the same module's deploy/crds (test/support/certmanager.ts).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	// Each import registers its controller with controllerpkg.Register in an init function.
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The Issuer controllers set Ready through these issuer implementations.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// The controllers this tool starts, by their registered names.
var wanted = []string{
	"certificates-trigger",
	"certificates-issuing",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-readiness",
	"certificates-revision-manager",
	"certificaterequests-approver",
	"certificaterequests-issuer-selfsigned",
	"certificaterequests-issuer-ca",
	"issuers",
	"clusterissuers",
}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the API server")
	namespace := flag.String("namespace", "", "watch only this namespace (ClusterIssuers are then not run)")
	clusterNS := flag.String("cluster-resource-namespace", "cert-manager", "namespace of ClusterIssuer Secrets")
	workers := flag.Int("workers", 2, "workers per controller")
	minBackoff := flag.Duration("min-request-backoff", 5*time.Second, "first retry after a failed CertificateRequest")
	klog.InitFlags(flag.CommandLine)
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *kubeconfig, *namespace, *clusterNS, *workers, *minBackoff); err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig, namespace, clusterNS string, workers int, minBackoff time.Duration) error {
	opts := controllerpkg.ContextOptions{
		Kubeconfig:         kubeconfig,
		Namespace:          namespace,
		KubernetesAPIQPS:   50,
		KubernetesAPIBurst: 100,
		IssuerOptions:      controllerpkg.IssuerOptions{ClusterResourceNamespace: clusterNS},
		CertificateOptions: controllerpkg.CertificateOptions{
			CertificateRequestMinimumBackoffDuration: minBackoff,
			CertificateRequestMaximumBackoffDuration: 4 * minBackoff,
		},
	}
	factory, err := controllerpkg.NewContextFactory(ctx, opts)
	if err != nil {
		return err
	}
	known := controllerpkg.Known()
	var started []string
	var wg sync.WaitGroup
	errs := make(chan error, len(wanted))
	for _, name := range wanted {
		// cert-manager's own controller skips ClusterIssuers when confined to one namespace.
		if name == "clusterissuers" && namespace != "" {
			continue
		}
		construct, ok := known[name]
		if !ok {
			return fmt.Errorf("controller %q is not registered (imports out of date?)", name)
		}
		ctrl, err := construct(factory)
		if err != nil {
			return fmt.Errorf("constructing %s: %w", name, err)
		}
		started = append(started, name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ctrl.Run(workers, ctx); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}

	// The informers are shared; the constructors above registered the ones they need.
	shared, err := factory.Build()
	if err != nil {
		return err
	}
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.WaitForCacheSync(ctx.Done())
	sort.Strings(started)
	fmt.Fprintf(os.Stderr, "cert-manager: started %s\n", strings.Join(started, ","))

	select {
	case <-ctx.Done():
	case err := <-errs:
		return err
	}
	wg.Wait()
	return nil
}
