module github.com/neosyncio/neosync/worker

go 1.26.0

require github.com/neosyncio/neosync/backend v0.0.0

replace github.com/neosyncio/neosync/backend => ../backend
