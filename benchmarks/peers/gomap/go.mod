module mapbench/peers/gomap

go 1.21
