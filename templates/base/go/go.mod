module github.com/fork-stack/fork-stack/templates/base/go

go 1.19
