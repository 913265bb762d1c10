from infraprep.cli.app import main

main()
