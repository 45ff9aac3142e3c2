from framestudy.cli import main

main()
