#!/usr/bin/env node
import { main } from "./Cli.js"

main()
