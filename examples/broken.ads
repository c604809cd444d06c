MyType = "Machine"
Name = "slot1@node1.campus.example.edu"
OpSys = "LINUX"
Arch = "X86_64"

MyType = "Machine"
Start = (Cpus > 2
Name = "slot1@node2.campus.example.edu"
OpSys = "LINUX"
Arch = "X86_64"
