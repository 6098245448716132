// Rename the module to your own path; the example imports example.com/myapp/envutils.
module example.com/myapp

go 1.19
