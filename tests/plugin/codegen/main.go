// Binds a Pulumi package schema with pulumi's own binder and generates the Node.js and
// Python SDKs from it with pulumi's own code generators: what `pulumi package gen-sdk`
// does through the language hosts, none of which can be obtained here. Built by
// tests/plugin/test_sdk_codegen.py against the CLI's own pkg/v3 version.
//
// Usage: codegen <schema.json> <out dir>   (exit 2: the schema does not bind)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noPackages refuses every other package: the schema must stand alone (no aws types).
type noPackages struct{}

func (noPackages) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("schema references package %q", pkg)
}
func (noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("schema references package %q", d.Name)
}
func (noPackages) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("schema references package %q", pkg)
}
func (noPackages) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("schema references package %q", d.Name)
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		panic(err)
	}
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bind:", err)
		os.Exit(2)
	}
	if diags.HasErrors() {
		fmt.Fprintln(os.Stderr, "bind:", diags.Error())
		os.Exit(2)
	}
	out := os.Args[2]
	files, err := nodejs.GeneratePackage("codegen", pkg, nil, nil, false, noPackages{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "nodejs:", err)
		os.Exit(3)
	}
	write(filepath.Join(out, "nodejs"), files)
	pyfiles, err := python.GeneratePackage("codegen", pkg, nil, noPackages{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "python:", err)
		os.Exit(4)
	}
	write(filepath.Join(out, "python"), pyfiles)
}

func write(dir string, files map[string][]byte) {
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			panic(err)
		}
	}
}
