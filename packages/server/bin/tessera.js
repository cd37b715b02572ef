#!/usr/bin/env node
// The `tessera` command. Runs the compiled CLI (npm install builds it).
import { main } from "../dist/cli/main.js";

await main(process.argv);
