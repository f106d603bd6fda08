package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestParametersRecordEveryOption: every option with a json name reaches the manifest's
// typed parameters under that name, with its value. Each field gets a distinct value,
// so a field left out or swapped shows.
func TestParametersRecordEveryOption(t *testing.T) {
	var o runOptions
	v := reflect.ValueOf(&o).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !f.CanSet() {
			continue // unexported: not an option the manifest records
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("s" + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int:
			f.SetInt(int64(i + 1))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.5)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"x" + v.Type().Field(i).Name}))
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string]string{"k": "v" + v.Type().Field(i).Name}))
		default:
			t.Fatalf("field %s: kind %s not covered by this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	want, err := json.Marshal(&o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(o.parameters())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("parameters\n got %s\nwant %s", got, want)
	}
}
