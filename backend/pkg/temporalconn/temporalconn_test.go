package temporalconn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "worker"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

func TestOptionsMTLS(t *testing.T) {
	t.Parallel()
	cert, key := selfSigned(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := os.WriteFile(certFile, []byte(cert), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{
		"pem in env": {HostPort: "h:7233", Namespace: "ns", Cert: cert, Key: key},
		"files":      {HostPort: "h:7233", Namespace: "ns", Cert: certFile, Key: keyFile},
	} {
		o, err := c.Options()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o.ConnectionOptions.TLS == nil || len(o.ConnectionOptions.TLS.Certificates) != 1 || o.HostPort != "h:7233" || o.Namespace != "ns" {
			t.Fatalf("%s: options %+v", name, o)
		}
	}
	if o, err := (Config{HostPort: "h:1"}).Options(); err != nil || o.ConnectionOptions.TLS != nil {
		t.Fatalf("no certificate must mean no TLS: %v", err)
	}
	for name, c := range map[string]Config{
		"half":     {Cert: cert},
		"mismatch": {Cert: cert, Key: strings.Replace(key, "A", "B", 1)},
		"missing":  {Cert: filepath.Join(dir, "nope"), Key: keyFile},
	} {
		if _, err := c.Options(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
