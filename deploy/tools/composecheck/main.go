// Command composecheck loads a Docker Compose file with the library Docker Compose itself uses, so a file
// it accepts is one `docker compose config` accepts. With -json it prints the normalised project (anchors
// merged, defaults filled in) for the tests to inspect.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	asJSON := flag.Bool("json", false, "print the normalised project as JSON")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: composecheck [-json] COMPOSE_FILE")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions([]string{flag.Arg(0)}, cli.WithOsEnv)
	if err == nil {
		err = check(options, *asJSON)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func check(options *cli.ProjectOptions, asJSON bool) error {
	project, err := cli.ProjectFromOptions(context.Background(), options)
	if err != nil {
		return err
	}
	if !asJSON {
		return nil
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
