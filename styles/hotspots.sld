<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <NamedLayer>
    <Name>{{layer}}</Name>
    <UserStyle>
      <Name>{{style}}</Name>
      <Title>{{title}}</Title>
      <FeatureTypeStyle>
<!--rows-->        <Rule>
          <Name>class {{value}}</Name>
          <Title>{{label}}</Title>
          <ogc:Filter>
            <ogc:PropertyIsEqualTo><ogc:PropertyName>class</ogc:PropertyName><ogc:Literal>{{value}}</ogc:Literal></ogc:PropertyIsEqualTo>
          </ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">{{hex}}</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#5a0014</CssParameter><CssParameter name="stroke-width">1.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
<!--/rows-->        <Rule>
          <Name>labels</Name>
          <Title>Hotspot id and place</Title>
          <TextSymbolizer>
            <Label><ogc:PropertyName>hotspot_id</ogc:PropertyName> <ogc:PropertyName>label</ogc:PropertyName></Label>
            <Font><CssParameter name="font-family">Sans-Serif</CssParameter><CssParameter name="font-size">10</CssParameter></Font>
            <Halo><Radius>2</Radius><Fill><CssParameter name="fill">#ffffff</CssParameter></Fill></Halo>
            <Fill><CssParameter name="fill">#141414</CssParameter></Fill>
          </TextSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
