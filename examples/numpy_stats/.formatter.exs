[inputs: ["{mix,.formatter}.exs", "{config,lib,test,generated}/**/*.{ex,exs}"]]
