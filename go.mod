module github.com/dlt5/verify

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	gonum.org/v1/gonum v0.17.0
)

require pgregory.net/rapid v1.3.0
