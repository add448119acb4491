//go:build dotnet

package main

import (
	"bytes"
	_ "embed"
	"io"
	"net/http"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The C# generator left pkg/v3 after v3.228.0 for github.com/pulumi/pulumi-dotnet, which
// the Go module proxy here does not serve; go.dotnet.mod pins the last pkg/v3 that has it.
var generators = map[string]generator{
	"dotnet": func(pkg *schema.Package, _ schema.ReferenceLoader) (map[string][]byte, error) {
		// The generator downloads the package's logo (Pulumi's own when the schema names
		// none); the build machine has no internet, so it reads ours from this binary.
		http.DefaultTransport.(*http.Transport).RegisterProtocol("embedded", embeddedLogo{})
		pkg.LogoURL = "embedded:logo.png"
		return dotnet.GeneratePackage(tool, pkg, nil, nil)
	},
}

//go:embed logo.png
var logo []byte

type embeddedLogo struct{}

func (embeddedLogo) RoundTrip(request *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Body:       io.NopCloser(bytes.NewReader(logo)),
		Request:    request,
	}, nil
}
