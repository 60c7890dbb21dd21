package engine
import ("testing";"fmt";"os";"strings")
func TestL1Measure(t *testing.T){
	args:=strings.Split(os.Getenv("L1"),";")
	p:=map[string]string{}
	for _,kv:=range strings.Fields(args[1]){k,v,_:=strings.Cut(kv,"=");p[k]=v}
	tr,err:=Run(args[0],p); if err!=nil{t.Fatal(err)}
	for _,m:=range args[2:]{v,err:=tr.MeasureSpec(m); fmt.Printf("%s = %v %v step=%d\n",m,v.V,err,v.Step)}
}
