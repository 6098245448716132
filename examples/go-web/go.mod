// The notes web app; module path is yours to rename (main.go imports example.com/goweb/envutils).
module example.com/goweb

go 1.19

require github.com/mattn/go-sqlite3 v1.14.16
