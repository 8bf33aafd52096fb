from causerie.cli.occ import main

main()
