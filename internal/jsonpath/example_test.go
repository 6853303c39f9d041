package jsonpath_test

import (
	"fmt"

	"github.com/restgres/restgres/internal/jsonpath"
	"github.com/restgres/restgres/internal/jsonvalue"
)

func Example() {
	claims, _ := jsonvalue.Parse(`{"sub":"jdoe","realm_access":{"roles":["user","app_admin"]}}`)

	p, err := jsonpath.Parse(`$.realm_access.roles[?search(@, '^app_')]`)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", jsonvalue.Append(nil, p.First(&claims)))

	old, _ := jsonpath.Parse(`.realm_access.roles[?(@ ^== "app_")]`)
	fmt.Println(old.Deprecated(), old.Equivalent())
	fmt.Printf("%s\n", jsonvalue.Append(nil, old.First(&claims)))

	_, err = jsonpath.Parse("$.realm_access.roles[1:2: ]")
	fmt.Println(err)
	// Output:
	// "app_admin"
	// true $.realm_access.roles[?search(@, '^app_')]
	// "app_admin"
	// failed to parse role-claim-key value ($.realm_access.roles[1:2: ])
}
