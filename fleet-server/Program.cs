Console.WriteLine("fleet-server");
