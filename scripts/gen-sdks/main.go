// gen-sdks binds the rekognition-media package schema with Pulumi's own binder and writes
// the SDKs Pulumi's own code generators produce from it: what `pulumi package gen-sdk`
// does through each language's host, none of which can be obtained on the offline build
// machine. Run through scripts/gen-sdks.sh, which also says which Pulumi version each
// language's generator comes from.
//
// Usage: gen-sdks <schema.json> <sdk dir> <language>...
// Exit status: 2 the schema does not bind, 3 a generator failed, 1 anything else.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the name the generated files say they were written by.
const tool = "pulumi-rekognition-media gen-sdks"

// generator writes one language's SDK files, keyed by path relative to its directory.
type generator func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error)

// standalone refuses every other package: the schema must stand alone (no aws types), so
// the SDKs depend on nothing but Pulumi's own.
type standalone struct{}

func (standalone) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("schema references package %q", pkg)
}

func (standalone) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("schema references package %q", d.Name)
}

func (standalone) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("schema references package %q", pkg)
}

func (standalone) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("schema references package %q", d.Name)
}

func fail(status int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen-sdks: "+format+"\n", args...)
	os.Exit(status)
}

func main() {
	if len(os.Args) < 4 {
		fail(1, "usage: gen-sdks <schema.json> <sdk dir> <language>...")
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(1, "%v", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		fail(1, "%s: %v", os.Args[1], err)
	}
	for _, language := range os.Args[3:] {
		generate, ok := generators[language]
		if !ok {
			fail(1, "no %s generator in this build (it has: %v)", language, languages())
		}
		// Each generator imports its language's options into the bound package, so each
		// gets its own binding.
		pkg, diags, err := schema.BindSpec(spec, standalone{}, schema.ValidationOptions{})
		if err != nil {
			fail(2, "bind: %v", err)
		}
		if diags.HasErrors() {
			fail(2, "bind: %s", diags.Error())
		}
		files, err := generate(pkg, standalone{})
		if err != nil {
			fail(3, "%s: %v", language, err)
		}
		if err := write(filepath.Join(os.Args[2], language), files); err != nil {
			fail(1, "%s: %v", language, err)
		}
	}
}

func languages() []string {
	names := make([]string, 0, len(generators))
	for name := range generators {
		names = append(names, name)
	}
	return names
}

func write(dir string, files map[string][]byte) error {
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
